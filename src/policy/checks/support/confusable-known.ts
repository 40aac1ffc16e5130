/**
 * Well-known domains a look-alike of which is flagged even when no policy names them: the
 * brands phishing impersonates most (the webmail, cloud, social, payment, shopping and
 * banking names that public brand-phishing rankings such as APWG's and Check Point's
 * quarterly reports keep listing), and the code, package and model hosts an answer about
 * software links to. Model vendors' own domains are left to policies (nothing outside
 * adapters/ names a vendor): add them, your own domains and your allowed hosts with
 * `known_domains`. Short on purpose: each entry is one skeleton compared per suspicious host,
 * and the list is documented, not a registry.
 */
export const WELL_KNOWN_DOMAINS: readonly string[] = [
  // mail, cloud, identity
  'google.com',
  'gmail.com',
  'youtube.com',
  'apple.com',
  'icloud.com',
  'microsoft.com',
  'microsoftonline.com',
  'live.com',
  'outlook.com',
  'office.com',
  'yahoo.com',
  'proton.me',
  'dropbox.com',
  'adobe.com',
  'okta.com',
  'zoom.us',
  'docusign.com',
  // social and messaging
  'facebook.com',
  'instagram.com',
  'whatsapp.com',
  'twitter.com',
  'x.com',
  'linkedin.com',
  'tiktok.com',
  'telegram.org',
  'discord.com',
  'slack.com',
  'reddit.com',
  // shopping, payment, banking
  'amazon.com',
  'ebay.com',
  'paypal.com',
  'stripe.com',
  'visa.com',
  'mastercard.com',
  'americanexpress.com',
  'chase.com',
  'bankofamerica.com',
  'wellsfargo.com',
  'citi.com',
  'hsbc.com',
  'coinbase.com',
  'binance.com',
  'netflix.com',
  'spotify.com',
  'steamcommunity.com',
  'dhl.com',
  'fedex.com',
  'ups.com',
  'usps.com',
  // software
  'github.com',
  'gitlab.com',
  'bitbucket.org',
  'npmjs.com',
  'pypi.org',
  'docker.com',
  'cloudflare.com',
  'wikipedia.org',
  'huggingface.co',
];
