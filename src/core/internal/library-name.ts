/** This library's name, sent in `user-agent` and `x-xai-sdk` so xAI can tell its clients apart, and named on its spans and metrics. */
export const LIBRARY_NAME = "xai-batch";
