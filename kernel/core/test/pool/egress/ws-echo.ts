/** A WebSocket round trip for the egress tests, light enough to import inside the sandbox too. */

/** Opens a WebSocket with `Socket`, sends "hi" and resolves with the reply or the failure. */
export function webSocketEcho(Socket: typeof WebSocket, url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket(url);
    const timer = setTimeout(() => resolve("timeout"), 5000);
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    socket.onopen = () => socket.send("hi");
    socket.onmessage = (event) => done(String(event.data));
    socket.onerror = (event) => done(`error: ${(event as ErrorEvent).message}`);
  });
}
