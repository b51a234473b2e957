/**
 * A failed load, said plainly: the events API's message names the problem (the URL it could not
 * reach, the key it refused), so it is shown as it is, in an alert that screen readers announce.
 */
export function ErrorAlert({ error, what }: { error: Error | undefined; what: string }) {
  if (!error) return null;
  return (
    <div role="alert" className="alert">
      <strong>Could not load {what}.</strong> {error.message}
    </div>
  );
}
