/** Heartbeats of the suite's servers and clients: a 500 ms window, as a deployment with tight liveness would use. */
export const HEARTBEAT = { heartbeatIntervalMs: 100, heartbeatLiveness: 5 } as const;

/** The client's side of the suite: fast reconnects, so a restarted instance is found quickly. */
export const TRANSPORT = { ...HEARTBEAT, reconnectIntervalMs: 20, reconnectMaxIntervalMs: 100 } as const;

/** Every call's deadline, and how late past it a settle may come before it is a violation. */
export const DEADLINE_MS = 500;
export const LATE_MS = 250;
