package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane), which
// keeps a sign-in near 30 ms on a small server while making guessing costly.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// TokenPrefix starts every API token, so that a leaked one is recognisable
// to secret scanners.
const TokenPrefix = "ct_"

// HashPassword returns the encoded argon2id hash of password with a random salt.
func HashPassword(password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails (crypto/rand panics rather than return short)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches the encoded hash, comparing
// in constant time. Hashes made with other parameters are read from the hash.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewPassword returns a random one-time password: 16 characters from an
// alphabet without look-alikes, about 90 bits.
func NewPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 16)
}

// randomFrom draws n characters uniformly (bytes past the last whole
// multiple of the alphabet are rejected, so no character is favoured).
func randomFrom(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		rand.Read(buf)
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// NewToken returns a random API token (shown once), its ID (to name it for
// revocation) and the hash that is kept.
func NewToken() (token, id, hash string) {
	secret := make([]byte, 32)
	rand.Read(secret)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	return token, randomFrom("0123456789abcdef", 12), HashToken(token)
}

// HashToken is how a token is kept and looked up: tokens are long random
// strings, so a fast hash is enough (no guessing to slow down).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
