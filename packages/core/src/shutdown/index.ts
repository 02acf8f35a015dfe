export {
  type ArmOptions,
  ShutdownCoordinator,
  type ShutdownParticipant,
  type ShutdownPhase,
  shutdownCoordinator,
} from './coordinator.js';
