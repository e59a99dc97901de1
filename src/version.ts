/** This library's name and version, sent in `user-agent` so xAI can tell its clients apart. */
export const LIBRARY_NAME = "xai-batch";
/** Kept in step with package.json by a test, so a release cannot forget it. */
export const LIBRARY_VERSION = "0.1.0";
