// An exported model folder (model.tflite + metadata.json, as streamnets.export writes it),
// read from the book's server or from files the reader picks. Each check says what is
// wrong and what to do; the signature itself is checked by runtime.js once compiled.
import { ModelFolderError } from "./runtime.js";

export const METADATA_FILE = "metadata.json";
const LITERT_FORMATS = ["litert", "litert-int8"];

/** Parses and checks metadata.json's text; returns the metadata object. */
export function parseMetadata(text) {
  let metadata;
  try {
    metadata = JSON.parse(text);
  } catch (err) {
    throw new ModelFolderError(`${METADATA_FILE} is not valid JSON (${err.message}).`);
  }
  if (metadata === null || typeof metadata !== "object") {
    throw new ModelFolderError(`${METADATA_FILE} must hold a JSON object.`);
  }
  if (!LITERT_FORMATS.includes(metadata.format)) {
    throw new ModelFolderError(`${METADATA_FILE} says format ${JSON.stringify(metadata.format)}; ` +
      `the page runs LiteRT exports (${LITERT_FORMATS.join(" or ")}): export with ` +
      "`streamnets export --format litert-int8`.");
  }
  if (typeof metadata.model_file !== "string" || !metadata.model_file) {
    throw new ModelFolderError(`${METADATA_FILE} names no model_file.`);
  }
  return metadata;
}

async function checkBytes(bytes, metadata) {
  if (Number.isInteger(metadata.bytes) && bytes.length !== metadata.bytes) {
    throw new ModelFolderError(`${metadata.model_file} has ${bytes.length} bytes but ` +
      `${METADATA_FILE} says ${metadata.bytes}: the two files come from different exports.`);
  }
  if (globalThis.crypto?.subtle && typeof metadata.sha256 === "string") {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== metadata.sha256) {
      throw new ModelFolderError(`${metadata.model_file}'s SHA-256 differs from the one in ` +
        `${METADATA_FILE}: the two files come from different exports.`);
    }
  }
  return bytes;
}

/** Fetches {metadata, bytes} of the folder at `url` (ending in "/"). */
export async function fetchFolder(url) {
  const get = async (name) => {
    const response = await fetch(new URL(name, url));
    if (!response.ok) throw new ModelFolderError(`could not load ${name} (HTTP ${response.status}).`);
    return response;
  };
  const metadata = parseMetadata(await (await get(METADATA_FILE)).text());
  const bytes = new Uint8Array(await (await get(metadata.model_file)).arrayBuffer());
  return { metadata, bytes: await checkBytes(bytes, metadata) };
}

/** Reads {metadata, bytes} from the files of a picked folder (or the two files themselves). */
export async function readPickedFiles(files) {
  const byName = new Map(Array.from(files, (file) => [file.name, file]));
  const metadataFile = byName.get(METADATA_FILE);
  if (!metadataFile) {
    throw new ModelFolderError(`no ${METADATA_FILE} among the ${byName.size} file(s) picked ` +
      `(${[...byName.keys()].slice(0, 5).join(", ")}): pick the folder streamnets export wrote.`);
  }
  const metadata = parseMetadata(await metadataFile.text());
  const modelFile = byName.get(metadata.model_file);
  if (!modelFile) {
    throw new ModelFolderError(`${METADATA_FILE} names ${metadata.model_file}, which is not ` +
      "among the files picked: pick the whole export folder.");
  }
  const bytes = new Uint8Array(await modelFile.arrayBuffer());
  return { metadata, bytes: await checkBytes(bytes, metadata) };
}
