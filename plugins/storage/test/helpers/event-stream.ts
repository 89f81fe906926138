/** Reads a watch's server-sent events as text, for tests that wait for a change to arrive. */
export interface EventStreamText {
  /** Everything read so far. */
  readonly text: string;
  /** Reads on until `needle` has arrived (at most 100 chunks). */
  until(needle: string): Promise<void>;
}

export function readEventStream(response: Response): EventStreamText {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let text = "";
  return {
    get text() {
      return text;
    },
    async until(needle) {
      for (let i = 0; i < 100 && !text.includes(needle); i++)
        text += decoder.decode((await reader.read()).value);
    },
  };
}
