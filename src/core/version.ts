/** This library's version, sent in `user-agent`; kept in step with package.json by a test, so a release cannot forget it. */
export const LIBRARY_VERSION = "0.1.0";
