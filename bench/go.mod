module example.com/spawning/bench

go 1.25

require golang.org/x/sync v0.19.0
