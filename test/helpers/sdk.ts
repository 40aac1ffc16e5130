/** Reads a chat-completions stream to its end: the text it carried, and the error it ended with, if any. */
export async function drain(
  stream: AsyncIterable<{ choices: { delta: { content?: string | null } }[] }>,
): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}
