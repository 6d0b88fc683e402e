// The payload decoders and the checks every reading passes, whatever wire it came over.
export { PAYLOAD_REASONS } from './payload-reason.js';
export type { PayloadFailure, PayloadReason } from './payload-reason.js';
export { DEFAULT_READING_LIMITS } from './reading-limits.js';
export type { ReadingLimits } from './reading-limits.js';
export { checkCandidate } from './check-candidate.js';
export type { CandidateCheck, ReadingCandidate } from './check-candidate.js';
export { decodeTextPayload } from './decode-payload.js';
export type { TextPayloadFormat } from './decode-payload.js';
