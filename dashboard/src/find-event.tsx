/**
 * "Go to event" in the masthead: paste an event id or a run id from a log line or an alert and land
 * on that event's page, from any view. A text that is neither is refused in place, naming why.
 */
import { useId, useState } from "react";
import { eventIdFrom, type Route } from "./hash-route.ts";

export function FindEvent({ navigate }: { navigate: (route: Route) => void }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState("");
  const inputId = useId();
  const problemId = useId();

  const submit = () => {
    const id = eventIdFrom(text);
    if (!id) {
      setProblem("Not an event or run id: paste one like evt_… or evt_….checkout.");
      return;
    }
    setProblem("");
    setText("");
    navigate({ page: "event", id });
  };

  return (
    <form
      role="search"
      aria-label="Go to an event"
      className="find-event"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label htmlFor={inputId}>Event or run id</label>
      <input
        id={inputId}
        type="search"
        value={text}
        spellCheck={false}
        autoComplete="off"
        placeholder="evt_…"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? problemId : undefined}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit">Go</button>
      {problem && (
        <span id={problemId} role="alert" className="field-error">
          {problem}
        </span>
      )}
    </form>
  );
}
