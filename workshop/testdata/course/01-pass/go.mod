module example.com/course/01-pass

go 1.25
