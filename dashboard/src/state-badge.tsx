/**
 * A run or event state as a badge: a shape and a word as well as a colour, so that it reads the same
 * without colour vision, in a screen reader and in a black-and-white screenshot.
 */
import type { EventState } from "@awl/client/api-client";

const ICONS: Record<EventState, string> = {
  pending: "○",
  processing: "…",
  delayed: "◷",
  sleeping: "☾",
  completed: "✓",
  "dead-lettered": "✕",
  cancelled: "⊘",
  skipped: "↷",
  unmatched: "–",
};

export function StateBadge({ state }: { state: EventState }) {
  return (
    <span className={`badge badge-${state}`}>
      <span aria-hidden="true">{ICONS[state]}</span> {state}
    </span>
  );
}
