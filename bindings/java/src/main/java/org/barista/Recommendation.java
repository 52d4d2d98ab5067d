package org.barista;

/** One recommended item: its catalog index, id and p(interaction). */
public final class Recommendation {
  private final int index;
  private final String itemId;
  private final float score;

  Recommendation(int index, String itemId, float score) {
    this.index = index;
    this.itemId = itemId;
    this.score = score;
  }

  public int index() {
    return index;
  }

  public String itemId() {
    return itemId;
  }

  public float score() {
    return score;
  }

  @Override
  public String toString() {
    return itemId + " " + score;
  }
}
