/** The pinned onnxruntime-web version, injected by vite.config.ts from package.json. */
declare const __ORT_VERSION__: string;
