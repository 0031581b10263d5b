export { recordingChannels, type RecordingChannels, type RecordingChannelsOptions } from './recording-channels.js';
export { scriptedDecisions, type ScriptedDecisions, type DecisionScript } from './scripted-decisions.js';
export { memoryProfiles, type MemoryProfiles, type ProfileSeed } from './memory-profiles.js';
