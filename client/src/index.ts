/**
 * `@awl/client`: what a site imports. Workloads (`asyncWorkload`, the step API, the errors that
 * steer retries), typed events, the client that sends events, and the handlers the extension serves
 * (router, reconciler, events API). The Netlify-compatible API is the subpath `@awl/client/netlify`.
 */
export {
  asyncWorkload,
  isAsyncWorkload,
  handleWorkloadRequest,
  type AsyncWorkloadFunction,
} from "./workload/async-workload.ts";
export type {
  WorkloadConfig,
  WorkloadOptions,
  WorkloadDefinition,
  WorkloadSchedule,
} from "./workload/definition.ts";
export type { CronSchedule } from "./engine/cron.ts";
export { scheduleEventName, type ScheduledEventData } from "./engine/scheduled-events.ts";
export type { ConcurrencyLimit, FilterableEvent } from "./engine/workload-spec.ts";
export type { WorkloadContext, WorkloadHandler } from "./engine/execute.ts";
export type { StepApi, StepContext, StepOptions, WaitForEventOptions, WaitedEvent } from "./engine/step.ts";
export {
  RetryAfterError,
  ErrorDoNotRetry,
  DuplicateStepIdError,
  StepResultError,
  StepTimeoutError,
} from "./engine/errors.ts";
export { defaultBackoff, MAX_BACKOFF_MS, type BackoffSchedule } from "./engine/backoff.ts";
export { defineEvents, type EventCatalog, type EventData, type EventInput } from "./events/define-events.ts";
export { InvalidInputError, type Issue } from "./engine/validation-error.ts";
export { sendEvents, type SendInput, type SendOptions, type SendResult } from "./engine/send.ts";
export { createRouterHandler, routeEvent } from "./workload/router-function.ts";
export type { RegisteredWorkload } from "./engine/router.ts";
export { reconcile, type ReconcileReport } from "./engine/reconciler.ts";
export {
  createRuntime,
  runtimeFromEnv,
  missingEnvironment,
  MissingEnvironmentError,
  ROUTER_PATH,
  DEFAULT_PREFIX,
  type Runtime,
  type RuntimeOptions,
} from "./engine/runtime.ts";
export type {
  EventDetail,
  EventSummary,
  RunRecord,
  StepRecord,
  AttemptRecord,
  ErrorRecord,
  EventState,
  FlowHold,
  RunHold,
} from "./engine/types.ts";
export type { WorkloadDescription, WorkloadsListing } from "./engine/workload-manifest.ts";
export {
  AsyncWorkloadsClient,
  AsyncWorkloadsClientError,
  type AsyncWorkloadsClientOptions,
  type ClientSendInput,
  type SendArguments,
} from "./client/async-workloads-client.ts";
export { createEventsApi, DEFAULT_API_BASE_PATH, type EventsApiOptions } from "./api/events-api.ts";
export {
  retryDeadLettered,
  deleteEvents,
  cancelRuns,
  rerunRun,
  type CancelSelector,
  type CancelReport,
  type RerunRequest,
  type RerunReport,
  type RetrySelector,
  type DeleteSelector,
  type RetryReport,
  type DeleteReport,
} from "./engine/operations.ts";
export { RETRY_FAILED_EVENTS, DELETE_EVENTS, RUN_FAILED } from "./engine/internal-events.ts";
export type { RunFailedData } from "./engine/run-failed.ts";
export { workloadFromModule } from "./compat/netlify.ts";
export {
  createNetlifyHttpApi,
  NETLIFY_API_PATH,
  NETLIFY_ROUTER_PATH,
  type NetlifyHttpOptions,
} from "./compat/netlify-http.ts";
export {
  EventsApiClient,
  EventsApiError,
  type EventsApiClientOptions,
  type EventsApiErrorReason,
  type EventsPage,
  type ListEventsQuery,
  type RetryResult,
  type CancelResult,
  type SendEventInput,
} from "./client/events-api-client.ts";
export { EVENT_STATES, FINAL_RUN_STATES, RUN_STATES, type RunState } from "./engine/keys.ts";
