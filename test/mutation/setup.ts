/**
 * Pinned randomness for the mutation run: every fast-check property that names no seed of its
 * own uses this one, so a mutant is killed or survives the same way on every run and shard.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: 20_160_516 });
