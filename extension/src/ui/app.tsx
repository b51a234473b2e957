/**
 * The extension's UI: the SDK's `NetlifyExtensionUI` (which waits for the Netlify app to
 * initialise the surface over postMessage, then provides the SDK context) and one route per
 * surface the extension declares in extension.yaml.
 */
import { Surfaces } from "@netlify/sdk/ui/react";
import { NetlifyExtensionUI, SurfaceRoute, SurfaceRouter } from "@netlify/sdk/ui/react/components";
import { SiteConfiguration } from "./site-configuration.tsx";

export function App() {
  return (
    <NetlifyExtensionUI>
      <SurfaceRouter>
        <SurfaceRoute surface={Surfaces.SiteConfiguration}>
          <SiteConfiguration />
        </SurfaceRoute>
      </SurfaceRouter>
    </NetlifyExtensionUI>
  );
}
