// Atomic writes live in @apb/core (one implementation for every package).
export { writeFileAtomic } from '@apb/core';
