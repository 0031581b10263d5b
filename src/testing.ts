/**
 * Test doubles for hosts' own tests: recording channels, scripted decision flows, in-memory
 * profiles, the virtual clock and in-memory storage.
 *
 * @packageDocumentation
 */
export {};
