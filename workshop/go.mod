module example.com/spawning/workshop

go 1.25
