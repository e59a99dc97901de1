/** The environment variable the API key is read from when no `apiKey` option is given. */
export const API_KEY_ENV = "XAI_API_KEY";
