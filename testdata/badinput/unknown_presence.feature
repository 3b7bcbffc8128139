Feature: bad input: unknown presence word
  @T-MAN-1
  Scenario: unknown presence word
    Given alice is signed in to Teams on desktop
    Then alice's presence is Bussy
