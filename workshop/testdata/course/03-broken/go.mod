module example.com/course/03-broken

go 1.25
