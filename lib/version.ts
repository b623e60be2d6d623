import packageJson from "@/package.json";

/** The ztix release this process runs (from package.json). */
export const version: string = packageJson.version;
