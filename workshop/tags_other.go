//go:build !exercise

package main

const builtWithExercise = false
