module example.com/course/05-race

go 1.25
