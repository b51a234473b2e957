/**
 * A signup with a follow-up a week later: the run sleeps in Redis, not in memory, and QStash wakes
 * it when the week is over. `SIGNUP_FOLLOW_UP_DELAY` shortens the wait.
 *
 *   npx awl send user.signup --data '{"email":"ada@example.com","name":"Ada"}'
 */
import { asyncWorkload } from "@awl/client";
import { events } from "./_shared/events.ts";
import { sendEmail } from "./_shared/providers.ts";

export default asyncWorkload(
  async ({ data, step }) => {
    await step.run("send-welcome", () => sendEmail(data.email, `Welcome, ${data.name}!`));
    await step.sleep("upgrade-reminder-delay", process.env.SIGNUP_FOLLOW_UP_DELAY || "7 days");
    await step.run("send-upgrade-reminder", () => sendEmail(data.email, "Your trial ends soon: upgrade?"));
  },
  { events: "user.signup", catalog: events },
);
