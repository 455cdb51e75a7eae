/** Free space in the project file from which a delete offers to compact (smaller is not worth a word). */
export const COMPACT_NUDGE_BYTES = 8 * 1024 * 1024;
