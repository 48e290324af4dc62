import { describe, expect, it } from 'vitest';
import { RoomSerials } from '../src/serials.ts';

describe('RoomSerials', () => {
  it('has no contiguous serial and sees no gap before a history reply says where the room stands', () => {
    // Prepare
    const serials = new RoomSerials();

    // Act: a live message arrives before the first history reply
    serials.received(21);

    // Assess
    expect(serials.contiguous).toBeUndefined();
    expect(serials.hasGap).toBe(false);
  });

  it('takes a history reply head as its baseline, and advances through what it holds', () => {
    // Prepare
    const serials = new RoomSerials();
    serials.received(21);
    serials.received(22);

    // Act
    serials.coveredThrough(20);

    // Assess
    expect(serials.contiguous).toBe(22);
    expect(serials.hasGap).toBe(false);
  });

  it('sees a gap when a serial skips one, and closes it when the missing one comes', () => {
    // Prepare
    const serials = new RoomSerials();
    serials.coveredThrough(10);

    // Act
    serials.received(12);
    const gapWhileMissing = serials.hasGap;
    const contiguousWhileMissing = serials.contiguous;
    serials.received(11);

    // Assess
    expect(gapWhileMissing).toBe(true);
    expect(contiguousWhileMissing).toBe(10);
    expect(serials.contiguous).toBe(12);
    expect(serials.hasGap).toBe(false);
  });

  it('counts serials a reply covers as seen, though it did not bring them (never committed or expired)', () => {
    // Prepare: 11 is missing behind 12 and 13
    const serials = new RoomSerials();
    serials.coveredThrough(10);
    serials.received(12);
    serials.received(13);

    // Act: the gap's reply (after 10) brings nothing, with head 13
    serials.coveredThrough(13);

    // Assess
    expect(serials.contiguous).toBe(13);
    expect(serials.hasGap).toBe(false);
  });

  it('never moves back: a repeat, or a head below what it holds, changes nothing', () => {
    // Prepare
    const serials = new RoomSerials();
    serials.coveredThrough(10);
    serials.received(11);

    // Act
    serials.received(5);
    serials.received(11);
    serials.coveredThrough(7);

    // Assess
    expect(serials.contiguous).toBe(11);
    expect(serials.hasGap).toBe(false);
  });

  it('counts the serials after a request and below the oldest kept that it does not hold', () => {
    // Prepare: holds up to 3, and 6 live; the room now keeps only from 8 on
    const serials = new RoomSerials();
    serials.coveredThrough(3);
    serials.received(6);

    // Act
    const lost = serials.lostBefore(3, 8);

    // Assess: 4, 5 and 7
    expect(lost).toBe(3);
  });

  it('counts nothing lost when the room keeps everything after the request', () => {
    // Prepare
    const serials = new RoomSerials();
    serials.coveredThrough(3);

    // Assess
    expect(serials.lostBefore(3, 4)).toBe(0);
    expect(serials.lostBefore(3, 2)).toBe(0);
  });

  it('counts only what is still missing when live messages moved past the request meanwhile', () => {
    // Prepare: asked after 3; meanwhile 4 and 5 came live
    const serials = new RoomSerials();
    serials.coveredThrough(3);
    serials.received(4);
    serials.received(5);

    // Act: the room keeps from 7 on
    const lost = serials.lostBefore(3, 7);

    // Assess: only 6
    expect(lost).toBe(1);
  });
});
