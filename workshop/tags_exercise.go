//go:build exercise

package main

// builtWithExercise is true when the runner itself was built with -tags
// exercise, as "go run -tags exercise ./workshop" does: a learner who meant
// the tag for the chapter's server.
const builtWithExercise = true
