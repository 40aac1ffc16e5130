/**
 * Email addresses that belong to no one: documentation and template placeholders, which
 * answers about code, configuration and mail set-up are full of.
 *
 * - Any address at a domain reserved for documentation or testing (RFC 2606, RFC 6761):
 *   `example.com`/`.net`/`.org` and their subdomains, and the `.example`, `.test`, `.invalid`,
 *   `.localhost` top-level domains; `example.edu` too (not reserved, but only ever a sample).
 * - Any address at a template domain: `your…` (`yourdomain.com`, `yourcompany.com`,
 *   `your-org.io`), `domain.com`/`.tld`, `company.com`, `acme.com`, `foo.com`, `bar.com`,
 *   `foobar.com`, `test.com`, `host.com`, `website.com`, `somewhere.com`, `mydomain.com`, `mycompany.com`.
 * - A placeholder mailbox (`user`, `username`, `name`, `yourname`, `your.name`, `you`, `me`,
 *   `email`, `someone`, `john.doe`, `jane.doe`, `first.last`, `firstname.lastname`, `foo`,
 *   `test`, `xxx`, …) at a public webmail domain (`gmail.com`, `outlook.com`, …), where it
 *   shows how an address looks rather than whose it is.
 *
 * A real person's address at those webmail domains (`jane.smith@gmail.com`) is still reported.
 */

const RESERVED =
  /(?:^|\.)(?:example\.(?:com|net|org|edu)|[^.]+\.(?:example|test|invalid|localhost))$/;
const TEMPLATE_DOMAIN =
  /^(?:[^.]+\.)*(?:your[-_]?[a-z0-9-]*|my(?:domain|company|site|org)|domain|company|acme|foo|bar|baz|foobar|test|host|website|site|somewhere|somedomain|email-domain)\.(?:com|net|org|io|tld|co|co\.uk|local|corp|inc)$/;
const WEBMAIL = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'icloud.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'mail.com',
  'email.com',
  'gmx.com',
  'gmx.de',
  'web.de',
]);
const PLACEHOLDER_MAILBOX =
  /^(?:user(?:name)?|name|your[._-]?(?:name|email|mail|address|user(?:name)?|id)?|you|me|my[._-]?(?:name|email)|email|e-?mail|mail|someone|somebody|anyone|john[._-]?doe|jane[._-]?doe|j[._-]?doe|first[._-]?(?:name)?[._-]?last(?:name)?|name[._-]?surname|foo|bar|foobar|test(?:user)?|example|sample|xxx+|abc|recipient|sender|address)$/;

/** Whether `address` (an email the pii check found) is a placeholder that belongs to no one. */
export function isPlaceholderEmail(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const local = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase();
  if (RESERVED.test(domain) || TEMPLATE_DOMAIN.test(domain)) return true;
  return WEBMAIL.has(domain) && PLACEHOLDER_MAILBOX.test(local);
}
