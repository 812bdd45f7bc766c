// The Hugging Face hub client and cache (re-exported by src/io/index.ts).
export { HubClient, hashFile, pickWeightFiles, readIndexShards, WEIGHT_INDEXES, type HubClientOptions, type DownloadProgress, type HubFileMetadata, type HubTreeEntry, type HubRef, type HubSnapshot, type DownloadOptions } from "./client";
export { HubCache } from "./cache";
export { HttpError } from "./http";
export { hubSettingsFromEnv, hfHome, parseRepo, repoFolderName, resolveUrl, repoLabel, type HubRepo, type HubSettings, type RepoType } from "./settings";
export { pullReleasedData, RELEASED_DATASET, PYTHIA_SIZES, type ReleasedData } from "./released";
