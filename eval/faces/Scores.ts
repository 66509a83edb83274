/** Pure figures of the face evaluation: accuracy, per-message precision and recall, confusion matrix. */
import type { Answer } from "./Labels.js"

export interface Outcome {
  readonly id: string
  readonly label: Answer
  /** One answer per burst of the photo. */
  readonly answers: ReadonlyArray<Answer>
  readonly withoutPerson: boolean
}

/** The answer given most often (ties: the first reached). */
export const majority = (answers: ReadonlyArray<Answer>): Answer => {
  const counts = new Map<Answer, number>()
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1)
  return [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0]
}

export interface Scores {
  readonly photos: number
  /** Photos whose usual (majority) answer is their label. */
  readonly correct: number
  /** Bursts answered their photo's label, over all bursts. */
  readonly burstCorrect: number
  readonly bursts: number
  /** Photos whose answer changed between bursts. */
  readonly unstable: ReadonlyArray<string>
  /** Photos without a person answered Live or TooManyFaces in any burst. */
  readonly noPersonAccepted: ReadonlyArray<string>
  readonly wrong: ReadonlyArray<{ readonly id: string; readonly label: Answer; readonly answers: ReadonlyArray<Answer> }>
  /** confusion[label][answer] = photos (majority answer). */
  readonly confusion: ReadonlyMap<Answer, ReadonlyMap<Answer, number>>
}

export const score = (outcomes: ReadonlyArray<Outcome>): Scores => {
  const confusion = new Map<Answer, Map<Answer, number>>()
  let correct = 0
  let burstCorrect = 0
  let bursts = 0
  const wrong: Array<{ id: string; label: Answer; answers: ReadonlyArray<Answer> }> = []
  for (const o of outcomes) {
    const answer = majority(o.answers)
    const row = confusion.get(o.label) ?? new Map<Answer, number>()
    row.set(answer, (row.get(answer) ?? 0) + 1)
    confusion.set(o.label, row)
    if (answer === o.label) correct++
    else wrong.push({ id: o.id, label: o.label, answers: o.answers })
    burstCorrect += o.answers.filter((a) => a === o.label).length
    bursts += o.answers.length
  }
  return {
    photos: outcomes.length,
    correct,
    burstCorrect,
    bursts,
    unstable: outcomes.filter((o) => new Set(o.answers).size > 1).map((o) => o.id),
    noPersonAccepted: outcomes
      .filter((o) => o.withoutPerson && o.answers.some((a) => a === "Live" || a === "NoneBecauseTooManyFaces"))
      .map((o) => o.id),
    wrong,
    confusion
  }
}

/** Precision and recall of one answer over the photos' majority answers. */
export const precisionRecall = (s: Scores, answer: Answer) => {
  let truePositive = 0
  let answered = 0
  let labelled = 0
  for (const [label, row] of s.confusion) {
    for (const [given, n] of row) {
      if (given === answer) answered += n
      if (label === answer) labelled += n
      if (label === answer && given === answer) truePositive += n
    }
  }
  return { precision: answered === 0 ? undefined : truePositive / answered, recall: labelled === 0 ? undefined : truePositive / labelled, labelled, answered }
}
