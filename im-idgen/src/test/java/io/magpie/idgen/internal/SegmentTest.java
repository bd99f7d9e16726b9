package io.magpie.idgen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SegmentTest {

    @Test
    void handsOutFirstToLastThenIsExhausted() {
        Segment segment = new Segment(11, 13);
        assertEquals(3, segment.remaining());
        assertEquals(11, segment.take());
        assertEquals(12, segment.take());
        assertEquals(13, segment.take());
        assertTrue(segment.exhausted());
        assertThrows(IllegalStateException.class, segment::take);
        assertEquals(3, segment.size());
    }

    @Test
    void rejectsEmptyRange() {
        assertThrows(IllegalArgumentException.class, () -> new Segment(5, 4));
    }
}
