/**
 * Payments, commerce and exchanges: Stripe, Square, Shopify, Razorpay, Braintree, PayPal,
 * Flutterwave, GoCardless, Plaid, Coinbase, Lob, EasyPost, Shippo, Duffel, Mollie, Paddle,
 * WooCommerce, Binance, Kraken, KuCoin, Bittrex, Finicity. Formats from the providers' docs.
 */
import type { Detector } from './detector.js';
import { AFTER_B64, mixed, near } from './shapes.js';

const family = 'payments';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const payments: readonly Detector[] = [
  // https://docs.stripe.com/keys: secret `sk_` and restricted `rk_` keys, live/test.
  {
    id: 'stripe-key',
    provider: 'Stripe',
    family,
    keywords: ['sk_live_', 'sk_test_', 'sk_prod_', 'rk_live_', 'rk_test_', 'rk_prod_'],
    re: /\b[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}\b/g,
    prefix: 8,
  },
  // https://docs.stripe.com/webhooks#verify-official-libraries: signing secrets `whsec_`.
  {
    id: 'stripe-webhook-secret',
    provider: 'Stripe',
    family,
    keywords: ['whsec_'],
    re: /\bwhsec_[A-Za-z0-9+/]{32,64}={0,2}(?![\w+/=])/g,
    prefix: 6,
    minEntropy: 3.5,
  },
  // https://developer.squareup.com/docs/build-basics/access-tokens: access tokens `EAAA` + 60
  // (legacy `sq0atp-` + 22), application secrets `sq0csp-` + 43.
  {
    id: 'square-token',
    provider: 'Square',
    family,
    keywords: ['sq0atp-', 'sq0csp-', 'eaaa'],
    re: /\b(?:sq0atp-[\w-]{22}|sq0csp-[\w-]{43}|EAAA[\w-]{60})(?![\w-])/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://shopify.dev/docs/apps/auth: `shpat_` Admin API access tokens, `shpca_` custom
  // app, `shppa_` private app, `shpss_` shared secrets, + 32 hex.
  {
    id: 'shopify-token',
    provider: 'Shopify',
    family,
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    re: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g,
    prefix: 6,
    minEntropy: 3,
  },
  // https://razorpay.com/docs/api/authentication/: key ids `rzp_live_`/`rzp_test_` + 14; the
  // 24-character key secret by the name `razorpay`.
  {
    id: 'razorpay-key-id',
    provider: 'Razorpay',
    family,
    keywords: ['rzp_live_', 'rzp_test_'],
    re: /\brzp_(?:live|test)_[A-Za-z0-9]{14}\b/g,
    prefix: 9,
    minEntropy: 3,
  },
  near({
    id: 'razorpay-key-secret',
    provider: 'Razorpay',
    family,
    names: ['razorpay'],
    value: '[A-Za-z0-9]{24}',
    maxValue: 24,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://developer.paypal.com/braintree/docs/guides/authorization/overview: access tokens
  // `access_token$production$<16>$<32 hex>` (PayPal/Braintree).
  {
    id: 'braintree-access-token',
    provider: 'Braintree',
    family,
    keywords: ['access_token$'],
    settle: /[^A-Za-z0-9$]/,
    re: /\baccess_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}\b/g,
    minEntropy: 3,
  },
  // https://developer.paypal.com/api/rest/: REST app client secrets, 80 characters, by name.
  near({
    id: 'paypal-client-secret',
    provider: 'PayPal',
    family,
    names: ['paypal'],
    value: '[A-Za-z0-9_-]{80}',
    maxValue: 80,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://developer.flutterwave.com/docs/integration-guides/authentication: `FLWSECK-` /
  // `FLWSECK_TEST-` + 32 hex + `-X`; encryption keys `FLWSECK_TEST` + 12.
  {
    id: 'flutterwave-secret-key',
    provider: 'Flutterwave',
    family,
    keywords: ['flwseck'],
    re: /\bFLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X\b|\bFLWSECK(?:_TEST)?[a-hA-H0-9]{12}\b/g,
    minEntropy: 3,
  },
  // https://developer.gocardless.com/getting-started/api/making-your-first-request/: access
  // tokens `live_`/`sandbox_` + 40, by name.
  near({
    id: 'gocardless-token',
    provider: 'GoCardless',
    family,
    names: ['gocardless'],
    value: '(?:live|sandbox)_[A-Za-z0-9_=-]{40}',
    maxValue: 48,
    minEntropy: 3.5,
    anyName: true,
  }),
  // https://plaid.com/docs/api/tokens/: access tokens `access-<env>-<uuid>`; 30-hex secrets by name.
  {
    id: 'plaid-access-token',
    provider: 'Plaid',
    family,
    keywords: ['access-sandbox-', 'access-development-', 'access-production-'],
    re: new RegExp(`\\baccess-(?:sandbox|development|production)-${UUID}\\b`, 'g'),
    minEntropy: 3,
  },
  near({
    id: 'plaid-secret',
    provider: 'Plaid',
    family,
    names: ['plaid'],
    value: '[a-f0-9]{30}',
    maxValue: 30,
    minEntropy: 3,
  }),
  // https://docs.cdp.coinbase.com/: API secrets, by name.
  near({
    id: 'coinbase-api-secret',
    provider: 'Coinbase',
    family,
    names: ['coinbase'],
    value: '[A-Za-z0-9_-]{64}',
    maxValue: 64,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://docs.lob.com/#tag/Authentication: `live_`/`test_` + 35 hex, by name.
  near({
    id: 'lob-api-key',
    provider: 'Lob',
    family,
    names: ['lob'],
    value: '(?:live|test)_[a-f0-9]{35}',
    maxValue: 40,
    minEntropy: 3,
    anyName: true,
  }),
  // https://docs.easypost.com/docs/authentication: `EZAK` production, `EZTK` test + 54.
  {
    id: 'easypost-api-key',
    provider: 'EasyPost',
    family,
    keywords: ['ezak', 'eztk'],
    re: /\bEZ[AT]K[A-Za-z0-9]{54}\b/g,
    prefix: 4,
    minEntropy: 4,
  },
  // https://docs.goshippo.com/docs/guides_general/authentication/: `shippo_live_`/`shippo_test_` + 40 hex.
  {
    id: 'shippo-api-token',
    provider: 'Shippo',
    family,
    keywords: ['shippo_live_', 'shippo_test_'],
    re: /\bshippo_(?:live|test)_[a-fA-F0-9]{40}\b/g,
    prefix: 12,
    minEntropy: 3,
  },
  // https://duffel.com/docs/api/overview/making-requests/authentication: `duffel_live_`/`duffel_test_` + 43.
  {
    id: 'duffel-api-token',
    provider: 'Duffel',
    family,
    keywords: ['duffel_live_', 'duffel_test_'],
    re: /\bduffel_(?:live|test)_[A-Za-z0-9_=-]{43}(?![\w=-])/g,
    prefix: 12,
    minEntropy: 3.5,
  },
  // https://docs.mollie.com/overview/authentication: `live_`/`test_` + 30, by name.
  near({
    id: 'mollie-api-key',
    provider: 'Mollie',
    family,
    names: ['mollie'],
    value: '(?:live|test)_[A-Za-z0-9]{30}',
    maxValue: 35,
    minEntropy: 3.5,
    anyName: true,
  }),
  // https://developer.paddle.com/api-reference/about/authentication: `pdl_live_apikey_`/`pdl_sdbx_apikey_`.
  {
    id: 'paddle-api-key',
    provider: 'Paddle',
    family,
    keywords: ['pdl_live_', 'pdl_sdbx_'],
    re: /\bpdl_(?:live|sdbx)_apikey_[A-Za-z0-9_]{40,80}\b/g,
    prefix: 16,
    minEntropy: 4,
  },
  // https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication: consumer keys
  // `ck_` and secrets `cs_` + 40 hex.
  {
    id: 'woocommerce-api-key',
    provider: 'WooCommerce',
    family,
    keywords: ['ck_', 'cs_'],
    re: /\bc[ks]_[a-f0-9]{40}\b/g,
    prefix: 3,
    minEntropy: 3,
  },
  // Exchanges' API secrets, by name: https://developers.binance.com/docs/binance-spot-api-docs
  // (64), https://docs.kraken.com/api/docs/guides/spot-rest-auth (base64, 88),
  // https://www.kucoin.com/docs/basic-info/connection-method/authentication (24 hex / UUID),
  // https://bittrex.github.io/api/v3 (32 hex), Finicity (32 hex / 20).
  near({
    id: 'binance-api-secret',
    provider: 'Binance',
    family,
    names: ['binance'],
    value: '[A-Za-z0-9]{64}',
    maxValue: 64,
    minEntropy: 4,
    validate: mixed,
  }),
  near({
    id: 'kraken-api-secret',
    provider: 'Kraken',
    family,
    names: ['kraken'],
    value: '[A-Za-z0-9/+=_-]{80,90}',
    maxValue: 90,
    after: AFTER_B64,
    minEntropy: 4,
  }),
  near({
    id: 'kucoin-api-secret',
    provider: 'KuCoin',
    family,
    names: ['kucoin'],
    value: `(?:${UUID}|[a-f0-9]{24})`,
    maxValue: 36,
    minEntropy: 3,
  }),
  near({
    id: 'bittrex-api-secret',
    provider: 'Bittrex',
    family,
    names: ['bittrex'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  near({
    id: 'finicity-secret',
    provider: 'Finicity',
    family,
    names: ['finicity'],
    value: '(?:[a-f0-9]{32}|[A-Za-z0-9]{20})',
    maxValue: 32,
    minEntropy: 3,
    validate: mixed,
  }),
];
