/**
 * The simulator's model listings: `GET /v1/models` in OpenAI's list shape
 * (https://platform.openai.com/docs/api-reference/models/list) and `GET /api/tags` in
 * Ollama's (https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models).
 * A `GET /v1/models` carrying `anthropic-version` is Anthropic's
 * (https://docs.anthropic.com/en/api/models-list), so the Anthropic SDK's `models.list()` works.
 * The simulator answers any model name; these are the names the docs and tests use.
 */
export const SIM_MODELS: readonly string[] = [
  'sim-1',
  'gpt-4o-mini',
  'gpt-3.5-turbo-instruct',
  'text-embedding-3-small',
  'claude-sonnet-4-5',
  'llama3.2',
];

const CREATED = 1_750_000_000;

const openAiModel = (id: string) => ({
  id,
  object: 'model',
  created: CREATED,
  owned_by: 'coalmine-sim',
});

/** `GET /v1/models`. */
export const openAiModelList = (): string =>
  JSON.stringify({ object: 'list', data: SIM_MODELS.map(openAiModel) });

/** `GET /v1/models/{id}`: any id exists, as any model name is answered. */
export const openAiModelInfo = (id: string): string => JSON.stringify(openAiModel(id));

/** `GET /v1/models` with an `anthropic-version` header: one page holding every model. */
export const anthropicModelList = (): string =>
  JSON.stringify({
    data: SIM_MODELS.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-06-15T12:00:00Z',
    })),
    has_more: false,
    first_id: SIM_MODELS[0] ?? null,
    last_id: SIM_MODELS[SIM_MODELS.length - 1] ?? null,
  });

/** `GET /api/tags`. */
export const ollamaTags = (): string =>
  JSON.stringify({
    models: SIM_MODELS.map((name) => ({
      name: name.includes(':') ? name : `${name}:latest`,
      model: name.includes(':') ? name : `${name}:latest`,
      modified_at: '2025-06-15T12:00:00.000Z',
      size: 0,
      digest: '0'.repeat(64),
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'sim',
        families: ['sim'],
        parameter_size: '0B',
        quantization_level: 'none',
      },
    })),
  });
