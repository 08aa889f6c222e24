module example.com/spawning/03-joinhandle

go 1.25

require example.com/spawning/miniredis v0.0.0

replace example.com/spawning/miniredis => ../miniredis
