import { createInterface } from 'node:readline/promises';

/**
 * Asks a question on the terminal and resolves to the line typed. A readline interface lives only for its question,
 * so nothing holds stdin (or its raw mode) once porter stops asking. Ctrl-C at the prompt reaches readline, not the
 * process; `onInterrupt` makes it porter's usual interrupt, and `signal` ends the wait.
 */
export function terminalAsk(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, signal: AbortSignal, onInterrupt: () => void): (question: string) => Promise<string> {
  return async (question) => {
    const rl = createInterface({ input, output, terminal: true });
    rl.on('SIGINT', onInterrupt);
    try {
      return await rl.question(question, { signal });
    } finally {
      rl.close();
    }
  };
}
