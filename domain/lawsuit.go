package domain

// lawsuit is one court case's state (stub).
type lawsuit struct{}
