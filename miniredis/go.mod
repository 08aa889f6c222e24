module example.com/spawning/miniredis

go 1.25
