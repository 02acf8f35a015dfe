export { handleShutdownSignals, onShutdown, type ShutdownPhase, shutdown } from './coordinator.js';
