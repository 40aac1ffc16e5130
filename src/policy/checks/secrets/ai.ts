/**
 * AI model and tooling providers: OpenAI, Anthropic, Hugging Face, Cohere, Perplexity, Groq,
 * Replicate, LangSmith, xAI, OpenRouter, Mistral, DeepSeek, Together AI, Pinecone, Langfuse,
 * NVIDIA, Tavily, Firecrawl, Weights & Biases, ElevenLabs, AssemblyAI, Deepgram, Azure OpenAI,
 * Stability AI, Jina, Cerebras, Clarifai. Formats from the providers' documentation.
 */
import type { Detector } from './detector.js';
import { mixed, near } from './shapes.js';

const family = 'ai';

export const ai: readonly Detector[] = [
  // https://platform.openai.com/docs/api-reference/authentication: `sk-[proj-|svcacct-|admin-]`
  // keys carry `T3BlbkFJ` (base64 "OpenAI") in the middle.
  {
    id: 'openai-key',
    provider: 'OpenAI',
    family,
    keywords: ['t3blbkfj'],
    streamKeywords: ['sk-'],
    maxSpan: 430,
    // Never starts inside a run of key characters (`sk-sk-sk-…` restarted at every `sk-`).
    re: /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}/g,
  },
  // https://docs.anthropic.com/en/api/getting-started: `sk-ant-api03-` + 93 + `AA`;
  // admin keys `sk-ant-admin01-`.
  {
    id: 'anthropic-api-key',
    provider: 'Anthropic',
    family,
    keywords: ['sk-ant-api'],
    re: /\bsk-ant-api03-[A-Za-z0-9_-]{93}AA(?![\w-])/g,
    prefix: 14,
  },
  {
    id: 'anthropic-admin-key',
    provider: 'Anthropic',
    family,
    keywords: ['sk-ant-admin'],
    re: /\bsk-ant-admin01-[A-Za-z0-9_-]{93}AA(?![\w-])/g,
    prefix: 16,
  },
  // https://huggingface.co/docs/hub/security-tokens: `hf_` + 34 letters; org tokens `api_org_`.
  {
    id: 'huggingface-token',
    provider: 'Hugging Face',
    family,
    keywords: ['hf_', 'api_org_'],
    re: /\b(?:hf_|api_org_)[A-Za-z]{34}\b/g,
    prefix: 3,
  },
  // https://docs.cohere.com/reference/about: API keys, 40 alphanumerics, no prefix.
  near({
    id: 'cohere-api-key',
    provider: 'Cohere',
    family,
    names: ['cohere', 'co_api_key'],
    value: '[A-Za-z0-9]{40}',
    maxValue: 40,
    minEntropy: 4,
    validate: mixed,
  }),
  // https://docs.perplexity.ai/guides/getting-started: `pplx-` + 48.
  {
    id: 'perplexity-api-key',
    provider: 'Perplexity',
    family,
    keywords: ['pplx-'],
    re: /\bpplx-[A-Za-z0-9]{48}\b/g,
    prefix: 5,
    minEntropy: 3.5,
  },
  // https://console.groq.com/docs/quickstart: `gsk_` + 52.
  {
    id: 'groq-api-key',
    provider: 'Groq',
    family,
    keywords: ['gsk_'],
    re: /\bgsk_[A-Za-z0-9]{52}\b/g,
    prefix: 4,
    minEntropy: 3.5,
  },
  // https://replicate.com/docs/reference/http#authentication: `r8_` + 37.
  {
    id: 'replicate-api-token',
    provider: 'Replicate',
    family,
    keywords: ['r8_'],
    re: /\br8_[A-Za-z0-9]{37}\b/g,
    prefix: 3,
    minEntropy: 3.5,
  },
  // https://docs.smith.langchain.com/administration/how_to_guides/organization_management/create_account_api_key:
  // `lsv2_pt_` personal, `lsv2_sk_` service keys: 32 hex + `_` + 10 hex.
  {
    id: 'langsmith-api-key',
    provider: 'LangSmith',
    family,
    keywords: ['lsv2_pt_', 'lsv2_sk_'],
    re: /\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b/g,
    prefix: 8,
    minEntropy: 3,
  },
  // https://docs.x.ai/docs/overview: `xai-` + 80.
  {
    id: 'xai-api-key',
    provider: 'xAI',
    family,
    keywords: ['xai-'],
    re: /\bxai-[A-Za-z0-9]{80}\b/g,
    prefix: 4,
    minEntropy: 4,
  },
  // https://openrouter.ai/docs/api-reference/authentication: `sk-or-v1-` + 64 hex.
  {
    id: 'openrouter-api-key',
    provider: 'OpenRouter',
    family,
    keywords: ['sk-or-v1-'],
    re: /\bsk-or-v1-[a-f0-9]{64}\b/g,
    prefix: 9,
    minEntropy: 3,
  },
  // https://docs.mistral.ai/getting-started/quickstart/: API keys, 32 alphanumerics.
  near({
    id: 'mistral-api-key',
    provider: 'Mistral AI',
    family,
    names: ['mistral'],
    value: '[A-Za-z0-9]{32}',
    maxValue: 32,
    minEntropy: 3.5,
    validate: mixed,
  }),
  // https://api-docs.deepseek.com/: `sk-` + 32 hex (an OpenAI-style key without the marker).
  near({
    id: 'deepseek-api-key',
    provider: 'DeepSeek',
    family,
    names: ['deepseek'],
    value: 'sk-[a-f0-9]{32}',
    maxValue: 35,
    minEntropy: 3,
    anyName: true,
  }),
  // https://docs.together.ai/reference/authentication-1: API keys, 64 hex.
  near({
    id: 'together-api-key',
    provider: 'Together AI',
    family,
    names: ['together_api', 'together-api', 'togetherai', 'together_ai', 'together.ai'],
    value: '[a-f0-9]{64}',
    maxValue: 64,
    minEntropy: 3,
  }),
  // https://docs.pinecone.io/guides/projects/manage-api-keys: `pcsk_` keys.
  {
    id: 'pinecone-api-key',
    provider: 'Pinecone',
    family,
    keywords: ['pcsk_'],
    re: /\bpcsk_[A-Za-z0-9_]{50,100}\b/g,
    prefix: 5,
    minEntropy: 4,
  },
  // https://langfuse.com/docs/get-started: secret keys `sk-lf-` + UUID (`pk-lf-` is public).
  {
    id: 'langfuse-secret-key',
    provider: 'Langfuse',
    family,
    keywords: ['sk-lf-'],
    re: /\bsk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g,
    prefix: 6,
    minEntropy: 3,
  },
  // https://docs.api.nvidia.com/nim/reference/: `nvapi-` + 64.
  {
    id: 'nvidia-api-key',
    provider: 'NVIDIA',
    family,
    keywords: ['nvapi-'],
    re: /\bnvapi-[A-Za-z0-9_-]{64}(?![\w-])/g,
    prefix: 6,
    minEntropy: 4,
  },
  // https://docs.tavily.com/documentation/quickstart: `tvly-[dev-|prod-]` + 32.
  {
    id: 'tavily-api-key',
    provider: 'Tavily',
    family,
    keywords: ['tvly-'],
    re: /\btvly-(?:dev-|prod-)?[A-Za-z0-9]{32}\b/g,
    prefix: 5,
    minEntropy: 3.5,
  },
  // https://docs.firecrawl.dev/introduction: `fc-` + 32 hex.
  {
    id: 'firecrawl-api-key',
    provider: 'Firecrawl',
    family,
    keywords: ['fc-'],
    re: /\bfc-[a-f0-9]{32}\b/g,
    prefix: 3,
    minEntropy: 3,
  },
  // https://docs.wandb.ai/guides/track/environment-variables: `WANDB_API_KEY`, 40 hex.
  near({
    id: 'wandb-api-key',
    provider: 'Weights & Biases',
    family,
    names: ['wandb', 'weights & biases', 'weights and biases'],
    value: '[a-f0-9]{40}',
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://elevenlabs.io/docs/api-reference/authentication: `sk_` + 48 hex (older keys 32
  // hex, by name, `xi-api-key`).
  {
    id: 'elevenlabs-api-key',
    provider: 'ElevenLabs',
    family,
    keywords: ['sk_'],
    re: /\bsk_[a-f0-9]{48}\b/g,
    prefix: 3,
    minEntropy: 3,
  },
  near({
    id: 'elevenlabs-legacy-api-key',
    provider: 'ElevenLabs',
    family,
    names: ['elevenlabs', 'eleven_labs', 'xi-api-key', 'xi_api_key'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://www.assemblyai.com/docs/api-reference/overview#authorization: 32 hex.
  near({
    id: 'assemblyai-api-key',
    provider: 'AssemblyAI',
    family,
    names: ['assemblyai', 'assembly_ai', 'assembly-ai'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
  // https://developers.deepgram.com/docs/create-additional-api-keys: 40 hex.
  near({
    id: 'deepgram-api-key',
    provider: 'Deepgram',
    family,
    names: ['deepgram'],
    value: '[a-f0-9]{40}',
    maxValue: 40,
    minEntropy: 3,
  }),
  // https://learn.microsoft.com/azure/ai-services/openai/reference#authentication: 32 hex
  // (84-character keys since 2024).
  near({
    id: 'azure-openai-api-key',
    provider: 'Azure OpenAI',
    family,
    names: ['azure_openai', 'azure-openai', 'azureopenai', 'azure_ai', 'cognitive_services'],
    value: '(?:[a-f0-9]{32}|[A-Za-z0-9]{84})',
    maxValue: 84,
    minEntropy: 3,
  }),
  // https://platform.stability.ai/docs/getting-started/authentication: `sk-` + 48.
  near({
    id: 'stability-api-key',
    provider: 'Stability AI',
    family,
    names: ['stability'],
    value: 'sk-[A-Za-z0-9]{48}',
    maxValue: 51,
    minEntropy: 3.5,
    anyName: true,
  }),
  // https://jina.ai/embeddings/: `jina_` keys.
  {
    id: 'jina-api-key',
    provider: 'Jina AI',
    family,
    keywords: ['jina_'],
    re: /\bjina_[A-Za-z0-9_-]{40,80}(?![\w-])/g,
    prefix: 5,
    minEntropy: 4,
  },
  // https://inference-docs.cerebras.ai/quickstart: `csk-` keys.
  {
    id: 'cerebras-api-key',
    provider: 'Cerebras',
    family,
    keywords: ['csk-'],
    re: /\bcsk-[A-Za-z0-9]{40,56}\b/g,
    prefix: 4,
    minEntropy: 4,
  },
  // https://docs.clarifai.com/clarifai-basics/authentication/personal-access-tokens: 32 hex.
  near({
    id: 'clarifai-pat',
    provider: 'Clarifai',
    family,
    names: ['clarifai'],
    value: '[a-f0-9]{32}',
    maxValue: 32,
    minEntropy: 3,
  }),
];
