/**
 * What the commands print besides their results: colours, only when stdout is a terminal and
 * NO_COLOR is not set (so pipes, files and scripts get plain text), and a spinner on stderr for a
 * wait that lasts over a second, only when stderr is a terminal (so it never mixes with output).
 */
import picocolors from "picocolors";
import yoctoSpinner from "yocto-spinner";

export type Colors = ReturnType<typeof picocolors.createColors>;

/** Waits shorter than this show nothing: a spinner that flashes up for 50 ms is noise. */
const SPINNER_DELAY_MS = 1000;

export function colorsFor(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Colors {
  // https://no-color.org: present and not empty disables colour.
  return picocolors.createColors(Boolean(stream.isTTY) && !env.NO_COLOR);
}

/**
 * Runs `task`, showing `text` with a spinner on stderr if it takes over a second. The task gets a
 * function to change the text as it makes progress ("fetched 300 events").
 */
export async function withProgress<T>(
  text: string,
  task: (progress: (text: string) => void) => Promise<T>,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  if (!stream.isTTY) return task(() => undefined);
  let current = text;
  let spinner: ReturnType<typeof yoctoSpinner> | undefined;
  const timer = setTimeout(() => {
    spinner = yoctoSpinner({ text: current, stream }).start();
  }, SPINNER_DELAY_MS);
  try {
    return await task((next) => {
      current = next;
      if (spinner) spinner.text = next;
    });
  } finally {
    clearTimeout(timer);
    spinner?.stop();
  }
}
