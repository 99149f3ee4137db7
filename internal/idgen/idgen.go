// Package idgen makes object IDs and docker-style random names.
package idgen

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"strconv"
)

// NewID returns 64 random hex characters whose 12-character short form is
// not all digits (so it can never be mistaken for a number, like docker).
func NewID() string {
	b := make([]byte, 32)
	for {
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on Linux
		}
		id := hex.EncodeToString(b)
		if _, err := strconv.ParseUint(id[:12], 10, 64); err != nil {
			return id
		}
	}
}

// IsID reports whether id has the form of an ID: 64 lowercase hex
// characters.
func IsID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

var adjectives = []string{
	"admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "brave",
	"busy", "charming", "clever", "compassionate", "confident", "cool", "dazzling",
	"determined", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant",
	"epic", "fervent", "festive", "focused", "friendly", "frosty", "gallant", "gifted",
	"goofy", "gracious", "happy", "hardcore", "heuristic", "hopeful", "hungry",
	"infallible", "inspiring", "jolly", "jovial", "keen", "kind", "laughing", "loving",
	"lucid", "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice",
	"nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive",
	"practical", "priceless", "quirky", "quizzical", "relaxed", "reverent", "romantic",
	"serene", "sharp", "silly", "sleepy", "stoic", "strange", "suspicious", "sweet",
	"tender", "thirsty", "trusting", "upbeat", "vibrant", "vigilant", "vigorous",
	"wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
}

var surnames = []string{
	"agnesi", "albattani", "archimedes", "ardinghelli", "babbage", "banach", "bardeen",
	"bartik", "bassi", "bell", "benz", "bhabha", "blackwell", "bohr", "booth", "borg",
	"bose", "brahmagupta", "brown", "burnell", "cannon", "carson", "cartwright", "cerf",
	"chandrasekhar", "clarke", "cohen", "colden", "cori", "curie", "darwin", "davinci",
	"dijkstra", "dirac", "einstein", "elion", "engelbart", "euclid", "euler", "faraday",
	"fermat", "fermi", "feynman", "franklin", "galileo", "gates", "goldberg", "goodall",
	"hamilton", "hawking", "heisenberg", "hertz", "hopper", "hypatia", "jang", "jennings",
	"johnson", "kalam", "kapitsa", "kepler", "khorana", "knuth", "lamarr", "lamport",
	"leakey", "lederberg", "liskov", "lovelace", "lumiere", "mayer", "mccarthy",
	"mcclintock", "meitner", "mendel", "merkle", "mirzakhani", "morse", "napier", "nash",
	"newton", "nobel", "noether", "pascal", "pasteur", "payne", "perlman", "pike",
	"poincare", "ptolemy", "raman", "ramanujan", "ritchie", "rosalind", "sammet",
	"shannon", "shockley", "sinoussi", "stonebraker", "swanson", "tesla", "thompson",
	"torvalds", "turing", "varahamihira", "villani", "wescoff", "wiles", "williams",
	"wozniak", "wright", "yalow", "yonath",
}

func pick(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}

// NewName returns a random "adjective_surname" name.
func NewName() string {
	return adjectives[pick(len(adjectives))] + "_" + surnames[pick(len(surnames))]
}
