/**
 * The browser side of the harness's `/harness` page, playing the Netlify app's part for one
 * surface: it frames the UI, waits for the surface's `NF::EUI_SURFACE::INITIALIZE` message, and
 * answers with `NF::EUI_HOST::INITIALIZE` carrying the session (Netlify token, site, team, user,
 * theme), the extension and the surface, checked against the SDK's own host-event schema before it
 * is sent. It also sizes the frame as the surface asks, as the app does.
 */
import {
  createUIExtensionHostInitializeEvent,
  UI_EXTENSION_SURFACE_INITIALIZE_EVENT_TYPE,
  UI_EXTENSION_SURFACE_REQUEST_DIMENSIONS_EVENT_TYPE,
  UIExtensionHostInitializeEventSchema,
  UIExtensionSurfaceEventSchema,
} from "@netlify/sdk/ui";

export interface HostSession {
  uiUrl: string;
  netlifyToken: string;
  siteId: string;
  teamId: string;
  userId: string;
  extension: { id: string; name: string; slug: string };
  surface: string;
}

const session = JSON.parse(document.getElementById("harness-session")!.textContent!) as HostSession;
const frame = document.createElement("iframe");
frame.title = `${session.extension.name} (extension surface)`;
frame.src = session.uiUrl;
frame.id = "surface";
document.body.append(frame);

// The real event, built and validated with the SDK's schema: a message the schema refuses would be
// dropped silently by the surface, so it is better to fail here, loudly.
const initialize = UIExtensionHostInitializeEventSchema.parse(
  createUIExtensionHostInitializeEvent({
    context: {
      auth: { netlifyToken: session.netlifyToken, providerToken: null, providerTokens: [] },
      user: { id: session.userId },
      visualEditor: { webhookBaseURL: null, projectId: null, notifyVisualEditor: false },
      configurationId: null,
      dataLayerId: null,
      projectId: null,
      siteId: session.siteId,
      teamId: session.teamId,
      accountId: session.teamId,
      theme: "light",
      deployId: null,
    },
    extension: session.extension,
    surface: { name: session.surface },
  } as Parameters<typeof createUIExtensionHostInitializeEvent>[0]),
);

window.addEventListener("message", (event: MessageEvent) => {
  if (event.source !== frame.contentWindow || event.origin !== window.location.origin) return;
  const parsed = UIExtensionSurfaceEventSchema.safeParse(event.data);
  if (!parsed.success) return;
  if (parsed.data.type === UI_EXTENSION_SURFACE_INITIALIZE_EVENT_TYPE) {
    frame.contentWindow!.postMessage(initialize, window.location.origin);
    document.body.dataset.initialized = "true";
  } else if (parsed.data.type === UI_EXTENSION_SURFACE_REQUEST_DIMENSIONS_EVENT_TYPE) {
    frame.style.height = `${Math.ceil(parsed.data.data.dimensions.height)}px`;
  }
});
