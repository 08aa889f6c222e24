module example.com/spawning/workshop

go 1.25.0

require golang.org/x/exp v0.0.0-20260611194520-c48552f49976
