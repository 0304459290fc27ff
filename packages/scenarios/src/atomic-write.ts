// Atomic writes live in @apb/core (one implementation for every package).
export { writeDirectoryAtomic, writeFileAtomic } from '@apb/core';
