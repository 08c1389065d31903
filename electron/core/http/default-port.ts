/**
 * The UI's own HTTP API (headless station). Not 8080: that is the device HTTP API's port, as on
 * ThingsBoard, which devices are built for. The two are never the same listener.
 */
export const DEFAULT_HTTP_PORT = 8090;
