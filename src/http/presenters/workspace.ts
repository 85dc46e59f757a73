/**
 * farebox has no workspaces: every account is one workspace. OpenRouter's shapes require a
 * `workspace_id` on keys and generations, so they all carry this one id (the nil UUID, so
 * clients that parse it as a UUID accept it and no real workspace can be confused with it).
 */
export const DEFAULT_WORKSPACE_ID = "00000000-0000-0000-0000-000000000000";
